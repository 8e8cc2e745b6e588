"""The conversation every simulated patient of `make bench` has: 10 questions, with follow-ups that
need the turn before. Kept apart from the locustfile: importing Locust monkey-patches the process."""

QUESTIONS = [
    "hallo",
    "wat is artrose?",
    "hoe vaak per week?",
    "wat kan ik zelf doen aan mijn heupartrose?",
    "en daarna?",
    "wat doet een fysiotherapeut?",
    "wanneer moet ik naar de huisarts?",
    "hoe gaat de revalidatie na mijn nieuwe heup?",
    "mag ik fietsen met artrose?",
    "dank je wel",
]
