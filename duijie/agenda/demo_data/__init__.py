"""What the programme demo (`duijie.agenda.demo`) is made of: the sessions and people the source documents name
(`sources`), and the vocabulary the rest of the programme is generated from (`vocabulary`)."""
