"""Matching both ways (to be completed): see recommend_workers / recommend_postings."""
