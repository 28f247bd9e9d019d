"""The two WebSockets: the customer's (`/ws/customer`) and the specialist's (`/ws/specialist`)."""
