"""The harvest pipeline: job runner, record model, harmonize, dedupe, store."""
