"""Inbound webhooks over HTTP: ``POST /webhooks/inbound/{source}``, signed as Standard
Webhooks specifies, stored before they are answered and processed afterwards."""
