"""The forum's programme: sessions, rooms, speakers."""
