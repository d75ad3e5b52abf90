"""My orders: the member's orders with their status, lines, payments, shipments and refunds."""
