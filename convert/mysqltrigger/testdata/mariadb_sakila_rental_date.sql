-- table: rental
-- timing: BEFORE
-- event: INSERT
SET NEW.rental_date = NOW()
