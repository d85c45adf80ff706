"""One APIView per operation, grouped by domain area."""
