-- table: customer
-- timing: BEFORE
-- event: INSERT
SET NEW.create_date = NOW()
