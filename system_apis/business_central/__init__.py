"""Microsoft Dynamics 365 Business Central over its API v2.0 (OData v4)."""
