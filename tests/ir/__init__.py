"""Tests of netviz.ir (torch-free)."""
