package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenWithSettings connects like Open, with extra session settings on every
// connection (for example DateStyle for a caller that reads values as
// text).
func OpenWithSettings(ctx context.Context, raw string, settings map[string]string) (*Target, error) {
	cfg, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	for k, v := range settings {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, connectError(cfg, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, connectError(cfg, err)
	}
	return &Target{pool: pool, cfg: cfg}, nil
}
