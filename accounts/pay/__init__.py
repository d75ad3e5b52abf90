"""My pay: commission statements per monthly period, Finance's payout run and the monthly job."""
