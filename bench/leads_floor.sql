-- The floor of a Leads run: the same writes as leads_assign, planned and written by PostgreSQL alone,
-- in ONE transaction, with no row locks, no chunks and no Python. Run by bench/bench_leads_floor.py
-- (which fills the %(name)s parameters and times each statement and the COMMIT). Not the product:
-- the distribution here is a plain round-robin by wait order (no same-country preference, the loop
-- guard is computed but not applied), which writes the same number of rows to the same tables,
-- with the same constraints, indexes and foreign-key checks as the product.
-- Statements are separated by lines holding only the separator (dash dash space semicolon semicolon).

-- Qualified sponsors as joins (the five rules), open this half-month, in wait order.
CREATE TEMP TABLE floor_sponsor ON COMMIT DROP AS
SELECT a.id, a.number, a.name, a.email, a.phone, a.country, a.last_lead_batch_on, a.title_rank,
       pr1.rank AS rank1, pr2.rank AS rank2, s.pv, vip.number AS vip, amb.number AS amb,
       row_number() OVER (ORDER BY a.last_lead_batch_on IS NOT NULL, a.last_lead_batch_on, a.number) AS rn
FROM accounts_account a
JOIN accounts_paidrank pr1 ON pr1.account_id = a.id AND pr1.month = %(month1)s AND pr1.rank >= %(min_paid)s
JOIN accounts_paidrank pr2 ON pr2.account_id = a.id AND pr2.month = %(month2)s AND pr2.rank >= %(min_paid)s
JOIN LATERAL (SELECT pv FROM accounts_subscription WHERE account_id = a.id AND status = 'active'
              ORDER BY id LIMIT 1) s ON s.pv >= %(min_pv)s
JOIN LATERAL (SELECT r.number FROM accounts_account r
              JOIN accounts_subscription rs ON rs.account_id = r.id AND rs.status = 'active'
              WHERE r.sponsor_id = a.id AND r.personally_enrolled AND r.kind = 'vip_customer'
                AND r.status = 'active' AND r.enrolled_on BETWEEN %(since)s AND %(as_of)s
              ORDER BY r.enrolled_on DESC, r.number LIMIT 1) vip ON true
JOIN LATERAL (SELECT r.number FROM accounts_account r
              JOIN accounts_subscription rs ON rs.account_id = r.id AND rs.status = 'active'
              WHERE r.sponsor_id = a.id AND r.personally_enrolled AND r.kind = 'ambassador'
                AND r.status = 'active' AND r.enrolled_on BETWEEN %(since)s AND %(as_of)s
              ORDER BY r.enrolled_on DESC, r.number LIMIT 1) amb ON true
WHERE a.kind = 'ambassador' AND a.status = 'active' AND NOT a.is_corporate AND a.title_rank >= %(min_title)s
  AND (a.last_lead_batch_on IS NULL OR a.last_lead_batch_on < %(half)s)
  AND NOT EXISTS (SELECT 1 FROM leads_leadbatch b WHERE b.sponsor_id = a.id AND b.half_month_start = %(half)s)
-- ;;
-- The loop guard (qualified ambassadors below a lead), as the product computes it.
CREATE TEMP TABLE floor_guard ON COMMIT DROP AS
WITH RECURSIVE down(id, top_id, depth) AS (
    SELECT id, id, 1 FROM accounts_account WHERE sponsor_id = %(orphan)s
    UNION ALL
    SELECT a.id, down.top_id, down.depth + 1 FROM accounts_account a JOIN down ON a.sponsor_id = down.id
    WHERE down.depth < 1000
)
SELECT down.id, down.top_id FROM down JOIN accounts_account a ON a.id = down.id
WHERE down.depth > 1 AND a.kind = 'ambassador' AND a.title_rank >= %(min_title)s
-- ;;
-- Due leads in listing order, dealt round-robin over the open sponsors.
CREATE TEMP TABLE floor_plan ON COMMIT DROP AS
WITH due AS (
    SELECT a.id, a.country, COALESCE(a.listed_under_2_on, a.enrolled_on) AS listed,
           row_number() OVER (ORDER BY COALESCE(a.listed_under_2_on, a.enrolled_on), a.number) AS rn
    FROM accounts_account a
    WHERE a.sponsor_id = %(orphan)s AND a.status = 'active' AND a.kind IN ('ambassador', 'vip_customer')
      AND COALESCE(a.listed_under_2_on, a.enrolled_on) <= %(due_listed)s
      AND NOT EXISTS (SELECT 1 FROM leads_sponsorcorrection c WHERE c.account_id = a.id AND c.status = 'submitted')
), n AS (SELECT count(*) AS n FROM floor_sponsor)
SELECT due.id AS lead_id, s.id AS sponsor_id, due.listed, due.country = s.country AS same, due.rn
FROM due CROSS JOIN n JOIN floor_sponsor s ON s.rn = (due.rn - 1) %% n.n + 1
-- ;;
INSERT INTO leads_leadrun (as_of, dry_run, trigger, started_at, due_count, placed_count, unplaced_count,
                           qualified_sponsor_count, open_sponsor_count, batch_count, error, report)
VALUES (%(as_of)s, false, 'floor', now(), 0, 0, 0, 0, 0, 0, '', '{}'::jsonb)
-- ;;
INSERT INTO leads_leadbatch (run_id, sponsor_id, half_month_start, created_at, lead_count)
SELECT currval(pg_get_serial_sequence('leads_leadrun', 'id')), sponsor_id, %(half)s, now(), count(*)
FROM floor_plan GROUP BY sponsor_id
-- ;;
UPDATE accounts_sponsorship SET valid_to = %(as_of)s, end_reason = 'lead_placement'
WHERE valid_to IS NULL AND account_id IN (SELECT lead_id FROM floor_plan)
-- ;;
INSERT INTO accounts_sponsorship (account_id, sponsor_id, valid_from, reason, end_reason, personal, created_at)
SELECT lead_id, sponsor_id, %(as_of)s, 'lead_placement', '', false, now() FROM floor_plan
-- ;;
-- The move keeps today's genealogy path (accounts/paths.py): the sponsor's path and the lead's segment.
UPDATE accounts_account a SET sponsor_id = p.sponsor_id, personally_enrolled = false, listed_under_2_on = NULL,
       path = s.path || substr('0123456789abcdefg', length(to_hex(a.number)) + 1, 1) || to_hex(a.number),
       depth = s.depth + 1
FROM floor_plan p JOIN accounts_account s ON s.id = p.sponsor_id WHERE a.id = p.lead_id
-- ;;
UPDATE accounts_account SET last_lead_batch_on = %(as_of)s
WHERE id IN (SELECT DISTINCT sponsor_id FROM floor_plan)
-- ;;
INSERT INTO leads_leadplacement (run_id, batch_id, lead_id, sponsor_id, listed_under_2_on, placed_at, as_of,
                                 half_month_start, same_country, snapshot)
SELECT b.run_id, b.id, p.lead_id, p.sponsor_id, p.listed, now(), %(as_of)s, %(half)s, p.same,
       jsonb_build_object('as_of', %(as_of)s::text, 'qualified', true,
           'rules', jsonb_build_object('title_rank', true, 'paid_rank', true, 'subscription_pv', true,
                                       'new_vip_customer', true, 'new_ambassador', true),
           'facts', jsonb_build_object('title_rank', s.title_rank, 'paid_ranks', jsonb_build_array(s.rank1, s.rank2),
                                       'subscription_pv', s.pv, 'new_vip_customer', s.vip,
                                       'new_ambassador', s.amb, 'recruits_enrolled_since', %(since)s::text),
           'last_lead_batch_on', s.last_lead_batch_on)
FROM floor_plan p
JOIN floor_sponsor s ON s.id = p.sponsor_id
JOIN leads_leadbatch b ON b.sponsor_id = p.sponsor_id AND b.half_month_start = %(half)s
-- ;;
-- Notifications: one inbox entry per recipient and one pending email per address (stage 2 and 3).
WITH items AS MATERIALIZED (
    SELECT s.id AS account_id, s.email, s.name, 'leads_new_leads' AS event,
           jsonb_build_object('leads', jsonb_agg(jsonb_build_object('number', l.number, 'name', l.name,
               'email', l.email, 'phone', l.phone, 'country', l.country) ORDER BY p.rn),
               'count', count(*), 'as_of', %(as_of)s::text) AS context
    FROM floor_plan p JOIN accounts_account l ON l.id = p.lead_id JOIN accounts_account s ON s.id = p.sponsor_id
    GROUP BY s.id
    UNION ALL
    SELECT l.id, l.email, l.name, 'leads_new_sponsor',
           jsonb_build_object('sponsor', jsonb_build_object('number', s.number, 'name', s.name, 'email', s.email,
               'phone', s.phone, 'country', s.country), 'as_of', %(as_of)s::text)
    FROM floor_plan p JOIN accounts_account l ON l.id = p.lead_id JOIN accounts_account s ON s.id = p.sponsor_id
), inbox AS (
    INSERT INTO platform_inboxentry (account_id, event, title, body, link, context, created_at)
    SELECT account_id, event, '', '', '/', context, now() FROM items
)
INSERT INTO platform_emailoutbox (key, to_email, to_name, account_id, event, subject, body_text, body_html,
                                  context, state, attempts, last_error, created_at)
SELECT replace(gen_random_uuid()::text, '-', ''), email, name, account_id, event, '', '', '',
       context || '{"_link": "/"}'::jsonb, 'pending', 0, '', now()
FROM items WHERE email <> ''
-- ;;
UPDATE leads_leadrun SET placed_count = (SELECT count(*) FROM floor_plan),
       batch_count = (SELECT count(DISTINCT sponsor_id) FROM floor_plan), finished_at = now()
WHERE id = currval(pg_get_serial_sequence('leads_leadrun', 'id'))
