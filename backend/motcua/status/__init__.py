"""The resident's own page: a dossier's status by code and secret, push subscriptions, ratings."""
