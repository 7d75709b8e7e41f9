-- table: payment
-- timing: BEFORE
-- event: INSERT
SET NEW.payment_date = NOW()
