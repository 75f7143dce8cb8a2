package rpc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"
)

// Mutual TLS between host and plugin, as go-plugin's AutoMTLS does it, but
// with P-256 keys that the host makes for each start.
//
// go-plugin's AutoMTLS has each side make a P-521 key and self-signed
// certificate per start, and sign and verify with them in the handshake:
// measured, about 30 ms of CPU per plugin start, most of a cold start
// (docs/performance.md). Here the host makes two P-256 identities per
// start (well under a millisecond): its own, whose certificate goes to the
// plugin in PLUGIN_CLIENT_CERT as with AutoMTLS, and the plugin's, whose
// key and certificate go to the plugin in EnvPluginTLS. Each side accepts
// only the other's certificate, as with AutoMTLS.
//
// A plugin built with an SDK that does not know EnvPluginTLS ignores it and
// does go-plugin's AutoMTLS against the host's certificate: go-plugin on
// the host then trusts the certificate that plugin sends in its handshake
// line instead. A host that uses AutoMTLS sends no EnvPluginTLS, and the
// plugin falls back the same way.
//
// The plugin's key is in its environment, which only its user can read
// (and who could as well read the plugin's memory), for one start.

// EnvPluginTLS carries the plugin's key and certificate (PEM) from the host.
const EnvPluginTLS = "TEROK_PLUGIN_TLS"

// envClientCert is go-plugin's variable for the host's certificate.
const envClientCert = "PLUGIN_CLIENT_CERT"

// HostTLS makes the identities for one plugin start: the host's TLS
// config, and the environment entries that give the plugin its side.
func HostTLS() (*tls.Config, []string, error) {
	hostCert, hostKey, err := newIdentity()
	if err != nil {
		return nil, nil, err
	}
	pluginCert, pluginKey, err := newIdentity()
	if err != nil {
		return nil, nil, err
	}
	mine, err := tls.X509KeyPair(hostCert, hostKey)
	if err != nil {
		return nil, nil, err
	}
	theirs := x509.NewCertPool()
	if !theirs.AppendCertsFromPEM(pluginCert) {
		return nil, nil, errors.New("parse the plugin certificate")
	}
	config := &tls.Config{
		Certificates: []tls.Certificate{mine},
		RootCAs:      theirs,
		ServerName:   "localhost",
		MinVersion:   tls.VersionTLS12,
	}
	env := []string{
		envClientCert + "=" + string(hostCert),
		EnvPluginTLS + "=" + string(pluginCert) + string(pluginKey),
	}
	return config, env, nil
}

// PluginTLS is the plugin's TLS config from the identity the host sent;
// nil, nil when it sent none (go-plugin's AutoMTLS then applies).
func PluginTLS() (*tls.Config, error) {
	ident := os.Getenv(EnvPluginTLS)
	hostCert := os.Getenv(envClientCert)
	if ident == "" || hostCert == "" {
		return nil, nil
	}
	// Nothing this plugin starts needs it.
	_ = os.Unsetenv(EnvPluginTLS)
	mine, err := tls.X509KeyPair([]byte(ident), []byte(ident))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPluginTLS, err)
	}
	host := x509.NewCertPool()
	if !host.AppendCertsFromPEM([]byte(hostCert)) {
		return nil, fmt.Errorf("%s: no certificate", envClientCert)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{mine},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    host,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// newIdentity makes a P-256 key and a self-signed certificate for
// "localhost" that signs nothing else, valid from a minute ago for a day.
func newIdentity() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"terok"}},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true, // self-signed: it is its own root
		SerialNumber:          sn,
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}
