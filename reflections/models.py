"""Reflections after peer support sessions (built in the reflection issue)."""
