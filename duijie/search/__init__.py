"""Site-wide search: every module registers its searchable records; this package indexes and serves them."""
