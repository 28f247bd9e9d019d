"""The REST API under `/api/v1`, published as OpenAPI at `/api/v1/openapi.json`."""
