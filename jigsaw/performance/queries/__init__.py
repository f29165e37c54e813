"""Read-side helpers of the performance app: plain functions returning plain data."""
