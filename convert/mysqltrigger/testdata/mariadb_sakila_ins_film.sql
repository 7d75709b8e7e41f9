-- table: film
-- timing: AFTER
-- event: INSERT
BEGIN
    INSERT INTO film_text (film_id, title, description)
        VALUES (new.film_id, new.title, new.description);
  END
