-- table: film
-- timing: AFTER
-- event: DELETE
BEGIN
    DELETE FROM film_text WHERE film_id = old.film_id;
  END
