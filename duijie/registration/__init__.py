"""Registration for the forum and its sessions: categories with capacities, approval, consent, a first-come
waiting list with claim deadlines, signed badges and check-in at the door."""
