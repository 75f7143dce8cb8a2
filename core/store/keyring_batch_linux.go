//go:build linux

package store

import (
	"context"
	"errors"
	"slices"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"

	"github.com/terok-ai/terok-auth/core/names"
)

// The Secret Service names go-keyring's package does not export.
const (
	secretsName      = "org.freedesktop.secrets"
	secretsPath      = "/org/freedesktop/secrets"
	secretsService   = "org.freedesktop.Secret.Service"
	secretsItem      = "org.freedesktop.Secret.Item"
	secretsSession   = "org.freedesktop.Secret.Session"
	collectionSearch = "org.freedesktop.Secret.Collection.SearchItems"
)

// getManyOS reads the credentials of providers in set from the Secret
// Service in a fixed number of round trips, however many there are: the
// searches for every account sent at once (one round trip), then one
// GetSecrets for all the items found. go-keyring's Get instead takes seven
// round trips per credential, one after another.
//
// It uses the collection, the unlock and the search go-keyring uses, so it
// sees what Get sees. An account with two items, a chunked value, a
// secret the service did not hand out, or an unreadable one is read again
// with Get, so that every Result is what Get would return. The whole batch
// runs under the keyring timeout; ok is false when it cannot be used at all
// (then the caller reads one by one).
func (k *Keyring) getManyOS(ctx context.Context, set names.Set, providers []names.Provider) (out []Result, ok bool) {
	out = make([]Result, len(providers))
	wanted := map[string]bool{}
	first := ""
	for i, p := range providers {
		out[i].Provider = p
		account := Account(set, p)
		wanted[account] = true
		if first == "" {
			first = account
		}
	}
	if first == "" {
		return out, true
	}
	var got batch
	if err := k.do(ctx, "read", first, func(Backend) error {
		var err error
		got, err = readBatch(wanted)
		return err
	}); err != nil {
		// The keyring as a whole failed (no service, locked, timed out):
		// every credential failed alike, each under its own account.
		for i, p := range providers {
			if out[i].Err == nil {
				out[i].Err = forAccount(err, Account(set, p))
			}
		}
		return out, true
	}
	if got.fallback {
		return nil, false
	}
	for i, p := range providers {
		if out[i].Err != nil {
			continue
		}
		account := Account(set, p)
		switch value, found := got.values[account]; {
		case got.items[account] == 0:
			out[i].Err = classify("read", account, keyring.ErrNotFound)
		case !found:
			out[i].Credential, out[i].Err = k.Get(ctx, set, p)
		default:
			c, err := decodeValue(value)
			if err != nil { // chunked or unreadable: Get says which
				c, err = k.Get(ctx, set, p)
			}
			out[i].Credential, out[i].Err = c, err
		}
		if out[i].Err == nil {
			out[i].Items = got.paths[account]
		}
	}
	return out, true
}

// forAccount restates a keyring failure for account.
func forAccount(err error, account string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Account = account
		return &c
	}
	return err
}

type batch struct {
	items    map[string]int      // account -> how many items it has
	paths    map[string][]string // account -> its items' object paths
	values   map[string]string   // account -> value, for accounts of one item
	fallback bool                // the batch cannot answer; read one by one
}

func readBatch(wanted map[string]bool) (batch, error) {
	b := batch{items: map[string]int{}, paths: map[string][]string{}, values: map[string]string{}}
	svc, err := ss.NewSecretService()
	if err != nil {
		return b, err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return b, err
	}
	// go-keyring's own search for each account, all of them sent before
	// any answer is awaited, and the session opened meanwhile.
	replies := make(chan *dbus.Call, len(wanted))
	searched := map[*dbus.Call]string{}
	for account := range wanted {
		call := collection.Go(collectionSearch, 0, replies, map[string]string{"username": account, "service": Service})
		searched[call] = account
	}
	sessionCall := svc.Object(secretsName, secretsPath).Go(secretsService+".OpenSession", 0, nil, "plain", dbus.MakeVariant(""))
	owner := map[dbus.ObjectPath]string{}
	var fetch []dbus.ObjectPath
	for range wanted {
		call := <-replies
		if call.Err != nil {
			return b, call.Err
		}
		var paths []dbus.ObjectPath
		if err := call.Store(&paths); err != nil {
			return b, err
		}
		account := searched[call]
		b.items[account] = len(paths)
		for _, p := range paths {
			b.paths[account] = append(b.paths[account], string(p))
		}
		slices.Sort(b.paths[account])
		if len(paths) == 1 {
			owner[paths[0]] = account
			fetch = append(fetch, paths[0])
		}
	}
	<-sessionCall.Done
	var ignored dbus.Variant
	var session dbus.ObjectPath
	if err := sessionCall.Store(&ignored, &session); err != nil {
		return b, err
	}
	// Nobody waits for the close: the session would end with the
	// connection anyway.
	defer svc.Object(secretsName, session).Go(secretsSession+".Close", dbus.FlagNoReplyExpected, nil)
	if len(fetch) == 0 {
		return b, nil
	}
	var secrets map[dbus.ObjectPath]ss.Secret
	if err := svc.Object(secretsName, secretsPath).Call(secretsService+".GetSecrets", 0, fetch, session).Store(&secrets); err != nil {
		// A locked item, say: Get unlocks items one by one.
		b.fallback = true
		return b, nil
	}
	for p, s := range secrets {
		if account, ok := owner[p]; ok {
			b.values[account] = string(s.Value)
		}
	}
	return b, nil
}

// warmOS connects to the session bus (go-keyring's calls share the
// connection) and pings the Secret Service, which starts it if the bus
// starts it on demand. Errors are left for the real call to report.
func (k *Keyring) warmOS() {
	conn, err := dbus.SessionBus()
	if err != nil {
		return
	}
	_ = conn.Object(secretsName, secretsPath).Call("org.freedesktop.DBus.Peer.Ping", 0).Err
}

// itemsOS names every item of the terok service in the login collection,
// after the unlock go-keyring does: one search, and no secret read.
func itemsOS() ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return nil, err
	}
	var paths []dbus.ObjectPath
	if err := collection.Call(collectionSearch, 0, map[string]string{"service": Service}).Store(&paths); err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = string(p)
	}
	return out, nil
}

// ownersOS reads the account attribute of each item, every one asked for
// before any answer is awaited (one round trip). An item of another
// service is left out; one whose attributes could not be read (gone in
// between, say) is named in unreadable.
func ownersOS(items []string) (accounts map[string]string, unreadable []string, err error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, nil, err
	}
	replies := make(chan *dbus.Call, len(items))
	asked := map[*dbus.Call]string{}
	for _, it := range items {
		path := dbus.ObjectPath(it)
		if !path.IsValid() {
			unreadable = append(unreadable, it)
			continue
		}
		call := svc.Object(secretsName, path).Go("org.freedesktop.DBus.Properties.Get", 0, replies, secretsItem, "Attributes")
		asked[call] = it
	}
	accounts = map[string]string{}
	for range asked {
		call := <-replies
		var v dbus.Variant
		if call.Err != nil || call.Store(&v) != nil {
			unreadable = append(unreadable, asked[call])
			continue
		}
		attrs, ok := v.Value().(map[string]string)
		switch {
		case !ok:
			unreadable = append(unreadable, asked[call])
		case attrs["service"] == Service:
			accounts[asked[call]] = attrs["username"]
		}
	}
	return accounts, unreadable, nil
}

// listAccountsOS names every account the Secret Service holds under the
// terok service: one search, then every item's attributes asked for at
// once (one round trip).
func listAccountsOS() ([]string, error) {
	items, err := itemsOS()
	if err != nil {
		return nil, err
	}
	owners, _, err := ownersOS(items)
	if err != nil {
		return nil, err
	}
	accounts := make([]string, 0, len(owners))
	for _, a := range owners {
		accounts = append(accounts, a)
	}
	return accounts, nil
}
