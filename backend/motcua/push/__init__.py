"""Web Push: VAPID keys, subscriptions, the outbox written with each change, the worker that delivers it."""
