"""Working days: weekends, Vietnamese public holidays and the admin's overrides."""
