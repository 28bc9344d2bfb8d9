"""The reports: each module defines one (its parameters form and its query)."""
