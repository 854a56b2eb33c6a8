"""People: what users tell FashionM3 (likes, dislikes, history) turned into data for rankings and fine-tuning."""
