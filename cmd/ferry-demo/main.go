// Command ferry-demo shows ferry's main job end to end: it starts a
// throwaway MariaDB and PostgreSQL, creates and fills a demo shop database
// in MariaDB, migrates it with `ferry migrate`, prints the summary and
// removes everything again. Run it with `go run ./cmd/ferry-demo`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferrydb/ferry/internal/cli"
	"github.com/ferrydb/ferry/internal/sandbox"
)

// demoSchema is a small shop with the MySQL features a migration meets:
// unsigned keys, enums, sets, JSON, decimals, timestamps with ON UPDATE,
// blobs, a FULLTEXT index, foreign keys, a view and a trigger. Rows are
// generated with MariaDB's sequence engine, deterministically.
const demoSchema = `
CREATE TABLE customers (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  email VARCHAR(120) NOT NULL UNIQUE,
  name VARCHAR(80) NOT NULL,
  tier ENUM('free','pro','enterprise') NOT NULL DEFAULT 'free',
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
);
CREATE TABLE products (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  sku CHAR(12) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT,
  price DECIMAL(10,2) NOT NULL,
  tags SET('new','sale','eco','limited') DEFAULT NULL,
  attrs JSON,
  thumbnail BLOB,
  KEY ix_sku (sku),
  FULLTEXT KEY ft_title (title, description)
);
CREATE TABLE orders (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  placed_at DATETIME(3) NOT NULL,
  KEY ix_customer (customer_id, placed_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE order_items (
  order_id BIGINT UNSIGNED NOT NULL,
  line SMALLINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  qty INT NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line),
  CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_items_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE VIEW customer_revenue AS
  SELECT c.id, c.name, COUNT(o.id) AS orders, SUM(o.total) AS revenue
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name;
CREATE TRIGGER orders_no_negative BEFORE INSERT ON orders FOR EACH ROW
  SET NEW.total = GREATEST(NEW.total, 0);

INSERT INTO customers (email, name, tier, active, created_at)
  SELECT CONCAT('user', seq, '@example.com'), CONCAT('Customer ', seq), ELT(1 + seq % 3, 'free', 'pro', 'enterprise'),
         seq % 7 <> 0, '2020-01-01' + INTERVAL seq MINUTE FROM seq_1_to_20000;
INSERT INTO products (sku, title, description, price, tags, attrs, thumbnail)
  SELECT LPAD(seq, 12, '0'), CONCAT('Product ', seq, ' – ', ELT(1 + seq % 4, 'Teacup ☕', 'Bicycle 🚲', 'Lamp', 'Book 📚')),
         IF(seq % 5 = 0, NULL, REPEAT('Lorem ipsum dolor sit amet. ', 1 + seq % 4)), 1 + (seq * 37 % 10000) / 100,
         ELT(1 + seq % 5, NULL, 'new', 'sale,eco', 'limited', 'new,sale'),
         JSON_OBJECT('weight', seq % 50, 'colors', JSON_ARRAY('red', 'blue')), UNHEX(MD5(seq)) FROM seq_1_to_5000;
INSERT INTO orders (customer_id, status, total, placed_at)
  SELECT 1 + seq % 20000, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'), (seq * 13 % 100000) / 100,
         '2021-01-01' + INTERVAL seq * 17 SECOND FROM seq_1_to_100000;
INSERT INTO order_items SELECT o.seq, l.seq, 1 + (o.seq * l.seq) % 5000, 1 + l.seq, 9.99
  FROM seq_1_to_100000 o JOIN seq_1_to_3 l;
ANALYZE TABLE customers, products, orders, order_items;
`

func main() {
	keep := flag.Bool("keep", false, "keep the servers running after the migration (Ctrl-C to stop)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "ferry-demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, keep bool) error {
	fmt.Fprintln(os.Stderr, "starting throwaway MariaDB and PostgreSQL ...")
	env, err := sandbox.StartEnv(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	fmt.Fprintf(os.Stderr, "  MariaDB    %s\n  PostgreSQL %s\n", env.MariaDB.Addr(), env.Postgres.Addr())
	fmt.Fprintln(os.Stderr, "creating the demo database 'shop' (425,000 rows) ...")
	if err := env.MariaDB.CreateDatabase(ctx, "shop"); err != nil {
		return err
	}
	if err := env.MariaDB.Exec(ctx, "shop", demoSchema); err != nil {
		return err
	}
	if err := env.Postgres.CreateDatabase(ctx, "shop"); err != nil {
		return err
	}
	stateDir, err := os.MkdirTemp("", "ferry-demo-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stateDir)
	args := []string{"migrate", "--source", env.MariaDB.DSN("shop"), "--target", env.Postgres.DSN("shop"), "--state-dir", stateDir}
	fmt.Fprintf(os.Stderr, "running: ferry migrate --source mysql://root:***@%s/shop --target postgres://postgres:***@%s/shop\n\n", env.MariaDB.Addr(), env.Postgres.Addr())
	if code := cli.Main(args, os.Stdin, os.Stdout, os.Stderr); code != 0 {
		return fmt.Errorf("ferry migrate exited with code %d", code)
	}
	if keep {
		fmt.Fprintf(os.Stderr, "\nservers keep running; connect with:\n  %s\n  %s\nCtrl-C stops them.\n", env.MariaDB.DSN("shop"), env.Postgres.DSN("shop"))
		<-ctx.Done()
	}
	return nil
}
