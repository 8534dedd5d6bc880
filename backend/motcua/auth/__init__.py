"""Who is signed in and what they may do: the principal of a request and the route guards."""
