package mysql

import (
	"strings"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"
)

func TestParseURL(t *testing.T) {
	t.Setenv(PasswordEnv, "from-env")
	cases := []struct {
		name    string
		url     string
		addr    string
		user    string
		passwd  string
		db      string
		tls     string // "", "verify", "skip-verify", "preferred"
		timeout time.Duration
	}{
		{"full", "mysql://app:pw@db1:3307/shop", "db1:3307", "app", "pw", "shop", "", 10 * time.Second},
		{"default port", "mysql://app:pw@db1/shop", "db1:3306", "app", "pw", "shop", "", 10 * time.Second},
		{"default user, password from env", "mysql://db1/shop", "db1:3306", "root", "from-env", "shop", "", 10 * time.Second},
		{"user without password reads env", "mysql://app@db1/shop", "db1:3306", "app", "from-env", "shop", "", 10 * time.Second},
		{"empty password in URL wins over env", "mysql://app:@db1/shop", "db1:3306", "app", "", "shop", "", 10 * time.Second},
		{"escaped password", "mysql://app:p%40ss%2Fw@db1/shop", "db1:3306", "app", "p@ss/w", "shop", "", 10 * time.Second},
		{"mariadb scheme", "mariadb://app:pw@db1/shop", "db1:3306", "app", "pw", "shop", "", 10 * time.Second},
		{"no database", "mysql://app:pw@db1", "db1:3306", "app", "pw", "", "", 10 * time.Second},
		{"root path", "mysql://app:pw@db1/", "db1:3306", "app", "pw", "", "", 10 * time.Second},
		{"IPv6 host", "mysql://app:pw@[::1]:3307/shop", "[::1]:3307", "app", "pw", "shop", "", 10 * time.Second},
		{"IPv6 host, default port", "mysql://app:pw@[::1]/shop", "[::1]:3306", "app", "pw", "shop", "", 10 * time.Second},
		{"tls=true", "mysql://app:pw@db1/shop?tls=true", "db1:3306", "app", "pw", "shop", "verify", 10 * time.Second},
		{"tls=require", "mysql://app:pw@db1/shop?tls=require", "db1:3306", "app", "pw", "shop", "verify", 10 * time.Second},
		{"tls=skip-verify", "mysql://app:pw@db1/shop?tls=skip-verify", "db1:3306", "app", "pw", "shop", "skip-verify", 10 * time.Second},
		{"tls=preferred", "mysql://app:pw@db1/shop?tls=preferred", "db1:3306", "app", "pw", "shop", "preferred", 10 * time.Second},
		{"tls=false", "mysql://app:pw@db1/shop?tls=false", "db1:3306", "app", "pw", "shop", "", 10 * time.Second},
		{"tls=disable", "mysql://app:pw@db1/shop?tls=disable", "db1:3306", "app", "pw", "shop", "", 10 * time.Second},
		{"connect-timeout", "mysql://app:pw@db1/shop?connect-timeout=3s", "db1:3306", "app", "pw", "shop", "", 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseURL(c.url)
			if err != nil {
				t.Fatalf("ParseURL(%s): %v", c.url, err)
			}
			if cfg.Net != "tcp" || cfg.Addr != c.addr || cfg.User != c.user || cfg.Passwd != c.passwd || cfg.DBName != c.db {
				t.Errorf("ParseURL(%s) = net %s addr %s user %s passwd %s db %s; want tcp %s %s %s %s",
					c.url, cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName, c.addr, c.user, c.passwd, c.db)
			}
			if cfg.Timeout != c.timeout {
				t.Errorf("Timeout = %v, want %v", cfg.Timeout, c.timeout)
			}
			switch c.tls {
			case "":
				if cfg.TLS != nil || cfg.TLSConfig != "" {
					t.Errorf("TLS = %+v / %q, want none", cfg.TLS, cfg.TLSConfig)
				}
			case "verify":
				if cfg.TLS == nil || cfg.TLS.InsecureSkipVerify || cfg.TLS.ServerName != "db1" {
					t.Errorf("TLS = %+v, want verification against db1", cfg.TLS)
				}
			case "skip-verify":
				if cfg.TLS == nil || !cfg.TLS.InsecureSkipVerify {
					t.Errorf("TLS = %+v, want InsecureSkipVerify", cfg.TLS)
				}
			case "preferred":
				if cfg.TLS != nil || cfg.TLSConfig != "preferred" {
					t.Errorf("TLS = %+v / %q, want TLSConfig preferred", cfg.TLS, cfg.TLSConfig)
				}
			}
			// Session settings every connection needs to read values exactly.
			if cfg.Params["time_zone"] != "'+00:00'" || cfg.Params["sql_mode"] != "''" || cfg.ParseTime {
				t.Errorf("session params = %v, ParseTime %v; want UTC, empty sql_mode, no time parsing", cfg.Params, cfg.ParseTime)
			}
			// The driver accepts the config (it does not connect here).
			if _, err := driver.NewConnector(cfg); err != nil {
				t.Errorf("driver.NewConnector: %v", err)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	const secret = "s3cr3tPW"
	cases := []struct {
		name string
		url  string
		want string // substring of the error
	}{
		{"bad scheme", "postgres://app:" + secret + "@db1/shop", `scheme "postgres" is not supported`},
		{"no scheme", "db1:3306/shop", "not supported"},
		{"missing host", "mysql://app:" + secret + "@/shop", "no host"},
		{"missing authority", "mysql:///shop", "no host"},
		{"bad tls", "mysql://app:" + secret + "@db1/shop?tls=maybe", `tls="maybe" is not supported`},
		{"bad connect-timeout", "mysql://app:" + secret + "@db1/shop?connect-timeout=ten", `connect-timeout="ten"`},
		{"malformed port", "mysql://app:" + secret + "@db1:33o6/shop", "malformed"},
		{"malformed escape in path", "mysql://app:" + secret + "@db1/sh%zzop", "malformed"},
		{"control character", "mysql://app:" + secret + "@db1/shop\x7f", "malformed"},
		{"space in password", "mysql://app:" + secret + " x@db1/shop", "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseURL(c.url)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error", c.url, cfg)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestParseURLMalformedHidesPassword(t *testing.T) {
	// url.Parse reports the text after the last ':' of the authority as a
	// bad port; when '@host' is missing (or the password holds an
	// unescaped '/'), that text is the password, and redactErr keeps it.
	for _, u := range []string{"mysql://root:s3cr3tPW/shop", "mysql://root:s3cr3tPW/x@db1/shop"} {
		_, err := ParseURL(u)
		if err == nil || strings.Contains(err.Error(), "s3cr3tPW") {
			t.Errorf("ParseURL(%q) error = %v, want an error without the password", u, err)
		}
	}
}
