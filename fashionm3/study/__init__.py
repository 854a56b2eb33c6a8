"""Study mode: consent, participant codes, scripted tasks, per-task Likert questions, the SUS, turn logs, export."""
