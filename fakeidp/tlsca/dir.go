package tlsca

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// The files of a CA directory (--tls-dir).
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// LoadOrCreate returns the CA kept in dir, making it (with names as its
// constraints) when dir holds neither file, and dir itself (mode 0700)
// when it does not exist.
//
// A file that exists but cannot be read or parsed is an error naming it:
// making a new CA instead would silently break the trust already
// installed for the old one.
func LoadOrCreate(dir string, names Names, now time.Time) (*CA, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		// 0700: the directory holds the CA's private key.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("TLS directory %s: cannot create it: %w", dir, err)
		}
		info, err = os.Stat(dir)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("TLS directory %s: %w", dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("TLS directory %s: not a directory", dir)
	}
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certExists, err := exists(certPath)
	if err != nil {
		return nil, err
	}
	keyExists, err := exists(keyPath)
	if err != nil {
		return nil, err
	}
	switch {
	case certExists && keyExists:
		return load(certPath, keyPath)
	case certExists:
		return nil, fmt.Errorf("%s: missing, but %s exists; restore the key, or delete both to make a new CA (and trust it again)", keyPath, certPath)
	case keyExists:
		return nil, fmt.Errorf("%s: missing, but %s exists; restore the certificate, or delete both to make a new CA", certPath, keyPath)
	}
	ca, err := New(names, now)
	if err != nil {
		return nil, err
	}
	if err := ca.save(certPath, keyPath); err != nil {
		return nil, err
	}
	return ca, nil
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

func load(certPath, keyPath string) (*CA, error) {
	if err := checkKeyMode(keyPath); err != nil {
		return nil, err
	}
	certDER, err := readPEM(certPath, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	keyDER, err := readPEM(keyPath, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: the key cannot sign", keyPath)
	}
	ca, err := fromDER(certDER, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	if err := checkPair(ca.cert, key); err != nil {
		return nil, fmt.Errorf("%s: %w", certPath, err)
	}
	return ca, nil
}

// checkKeyMode refuses a CA key that other users may read or write, as
// ssh refuses such a private key: whoever reads it can make certificates
// that every machine trusting the CA accepts. Windows has no such mode
// bits.
func checkKeyMode(keyPath string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	info, err := os.Stat(keyPath)
	if err != nil {
		return err
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return fmt.Errorf("%s: the CA's private key is open to other users (mode %04o); make it private with: chmod 600 %s", keyPath, mode, keyPath)
	}
	return nil
}

// readPEM reads the one PEM block of a CA file.
func readPEM(path, blockType string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // os errors name the file
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != blockType {
		return nil, fmt.Errorf("%s: want one PEM block of type %q; the file is damaged (delete both CA files to make a new CA, and trust it again)", path, blockType)
	}
	return block.Bytes, nil
}

// save writes the key first (mode 0600), then the certificate, each through
// a temporary file and a rename, so that a crash leaves no half-written
// file behind.
func (c *CA) save(certPath, keyPath string) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := writeFile(keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	return writeFile(certPath, c.certPEM, 0o644)
}

func writeFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // after a successful rename, a no-op
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
