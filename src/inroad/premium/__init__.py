"""Premium: plans, the InMail credit ledger, InMail, Open Profile requests, organisations."""
