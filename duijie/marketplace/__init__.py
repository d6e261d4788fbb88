"""Investment projects and technology offers and demands: listing, editing, lifecycle, sheets."""
