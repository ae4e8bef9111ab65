"""Checks with feedback, quizzes, seeded practice and the capstone: what a learner answers."""
