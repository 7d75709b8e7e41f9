// Package mysql reads MySQL and MariaDB: the catalog from
// information_schema, a consistent snapshot with its binlog position, and
// rows streamed over the text protocol.
//
// Values are returned in MySQL's text form, with these rules: the session
// time zone is UTC, so TIMESTAMP values are UTC; BIT(n) columns are read as
// a string of n '0'/'1' characters; spatial columns are read as EWKT
// ("SRID=4326;POINT(1 2)"); everything else is the server's own text.
package mysql

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

// PasswordEnv is read when the source URL carries no password.
const PasswordEnv = "FERRY_SOURCE_PASSWORD"

// ParseURL turns mysql://user:pass@host:port/db?tls=... into a driver
// config. Supported query parameters: tls (true, false, skip-verify,
// preferred), connect-timeout (a Go duration).
func ParseURL(raw string) (*driver.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("source URL is malformed (%s); expected mysql://user:password@host:3306/database, with special characters in the password percent-encoded", redactErr(err))
	}
	if u.Scheme != "mysql" && u.Scheme != "mariadb" {
		return nil, fmt.Errorf("source URL scheme %q is not supported; expected mysql://user:password@host:3306/database", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("source URL has no host; expected mysql://user:password@host:3306/database")
	}
	cfg := driver.NewConfig()
	cfg.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "3306"
	}
	if _, err := strconv.Atoi(port); err != nil {
		return nil, fmt.Errorf("source URL port %q is not a number", port)
	}
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.User = u.User.Username()
	if cfg.User == "" {
		cfg.User = "root"
	}
	if p, ok := u.User.Password(); ok {
		cfg.Passwd = p
	} else {
		cfg.Passwd = os.Getenv(PasswordEnv)
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = false
	cfg.InterpolateParams = true
	cfg.AllowNativePasswords = true
	cfg.MaxAllowedPacket = 0 // ask the server
	cfg.Timeout = 10 * time.Second
	cfg.Params = map[string]string{
		"time_zone":         "'+00:00'",
		"net_write_timeout": "3600",
		"net_read_timeout":  "3600",
		// Read values exactly as stored; never let the session rewrite them.
		"sql_mode": "''",
	}
	cfg.Collation = "utf8mb4_general_ci"
	q := u.Query()
	switch v := q.Get("tls"); v {
	case "", "false", "disable":
	case "true", "require":
		cfg.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	case "skip-verify":
		cfg.TLS = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the user
	case "preferred":
		cfg.TLSConfig = "preferred"
	default:
		return nil, fmt.Errorf("source URL: tls=%q is not supported; use true, false, skip-verify or preferred", v)
	}
	if v := q.Get("connect-timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("source URL: connect-timeout=%q is not a duration like 10s", v)
		}
		cfg.Timeout = d
	}
	return cfg, nil
}

// redactErr describes a url.Parse error without quoting the URL: its
// messages can echo parts of it, the password included (an unescaped '/'
// in the password makes "invalid port \":secret\"").
func redactErr(err error) string {
	msg := err.Error()
	if ue, ok := err.(*url.Error); ok {
		msg = ue.Err.Error()
	}
	switch {
	case strings.Contains(msg, "invalid port"):
		return "bad host:port part"
	case strings.Contains(msg, "invalid character"), strings.Contains(msg, "invalid URL escape"):
		return "invalid character or escape"
	case strings.Contains(msg, "missing protocol scheme"):
		return "no mysql:// scheme"
	}
	return "cannot parse it"
}
