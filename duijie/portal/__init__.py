"""The pages that gather several modules: the home page, navigation, the organisation and event pages."""
