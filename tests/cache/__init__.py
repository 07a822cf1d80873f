"""Tests of netviz.cache."""
