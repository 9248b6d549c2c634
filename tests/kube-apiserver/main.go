// Command kube-apiserver is the upstream Kubernetes API server
// (k8s.io/kubernetes/cmd/kube-apiserver/app) with an embedded etcd
// (go.etcd.io/etcd/server/v3/embed) in one binary, for blast's tests against a
// real server. Nothing here changes how the API server behaves: it only starts
// etcd first and points --etcd-servers at it.
//
// Wrapper flags (they must come first, before the API server's own flags):
//
//	--embedded-etcd-dir=DIR    etcd's data directory (required)
//	--embedded-etcd-port=N     etcd's client port on 127.0.0.1 (0: a free port)
//	--embedded-etcd-url-file=F write etcd's client URL to F once etcd is ready,
//	                           so a test can compact it (POST /v3/kv/compaction)
//
// The client URL is also printed on stderr: "embedded etcd ready: http://...".
//
// If --service-account-signing-key-file names a file that does not exist, an
// ECDSA P-256 key is generated there (mode 0600) before the API server starts:
// the Rust tests have no key-generation crate and CI machines may lack openssl,
// while Go's standard library has all it needs.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

type wrapperOptions struct {
	etcdDir     string
	etcdPort    int
	etcdURLFile string
}

func main() {
	opts, rest, err := parseWrapperFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-apiserver (blast test wrapper): %v\n", err)
		os.Exit(3)
	}
	if err := ensureServiceAccountKey(rest); err != nil {
		fmt.Fprintf(os.Stderr, "kube-apiserver (blast test wrapper): %v\n", err)
		os.Exit(3)
	}
	etcd, clientURL, err := startEtcd(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-apiserver (blast test wrapper): embedded etcd: %v\n", err)
		os.Exit(3)
	}
	fmt.Fprintf(os.Stderr, "embedded etcd ready: %s\n", clientURL)
	if opts.etcdURLFile != "" {
		if err := writeFileAtomic(opts.etcdURLFile, []byte(clientURL+"\n"), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "kube-apiserver (blast test wrapper): %v\n", err)
			etcd.Close()
			os.Exit(3)
		}
	}

	command := app.NewAPIServerCommand()
	command.SetArgs(append(rest, "--etcd-servers="+clientURL))
	code := cli.Run(command)
	etcd.Close()
	os.Exit(code)
}

// parseWrapperFlags takes the --embedded-etcd-* flags off the front of args and
// returns the rest for the API server.
func parseWrapperFlags(args []string) (wrapperOptions, []string, error) {
	var opts wrapperOptions
	i := 0
	for ; i < len(args); i++ {
		name, value, ok := strings.Cut(args[i], "=")
		if !strings.HasPrefix(name, "--embedded-etcd-") {
			break
		}
		if !ok {
			if i+1 >= len(args) {
				return opts, nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "--embedded-etcd-dir":
			opts.etcdDir = value
		case "--embedded-etcd-port":
			port, err := strconv.Atoi(value)
			if err != nil || port < 0 || port > 65535 {
				return opts, nil, fmt.Errorf("--embedded-etcd-port: not a port: %q", value)
			}
			opts.etcdPort = port
		case "--embedded-etcd-url-file":
			opts.etcdURLFile = value
		default:
			return opts, nil, fmt.Errorf("unknown wrapper flag %s", name)
		}
	}
	if opts.etcdDir == "" {
		for _, a := range args[i:] {
			if a == "--help" || a == "-h" || a == "--version" || strings.HasPrefix(a, "--version=") {
				// Let the API server answer without etcd.
				command := app.NewAPIServerCommand()
				command.SetArgs(args[i:])
				os.Exit(cli.Run(command))
			}
		}
		return opts, nil, errors.New("--embedded-etcd-dir=DIR is required (the wrapper's flags come first)")
	}
	return opts, args[i:], nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEtcd(opts wrapperOptions) (*embed.Etcd, string, error) {
	clientPort := opts.etcdPort
	var err error
	if clientPort == 0 {
		if clientPort, err = freePort(); err != nil {
			return nil, "", err
		}
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}

	cfg := embed.NewConfig()
	cfg.Name = "blast-test"
	cfg.Dir = opts.etcdDir
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	// A test server: losing the last writes on a crash does not matter, speed does.
	cfg.UnsafeNoFsync = true

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, "", err
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		e.Close()
		return nil, "", errors.New("not ready after 60s")
	}
	return e, clientURL.String(), nil
}

// ensureServiceAccountKey generates the signing key named by
// --service-account-signing-key-file when that file does not exist.
func ensureServiceAccountKey(args []string) error {
	var path string
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--service-account-signing-key-file="); ok {
			path = v
		} else if a == "--service-account-signing-key-file" && i+1 < len(args) {
			path = args[i+1]
		}
	}
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
