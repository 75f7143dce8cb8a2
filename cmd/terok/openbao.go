package main

import (
	"context"
	"errors"

	"github.com/terok-ai/terok-auth/core/store"
)

// openBaoStore makes the OpenBao store the settings and the BAO_*/VAULT_*
// variables describe, once per command: every use shares its client, its
// login and the versions it has seen (its writes are check-and-sets at
// them).
func openBaoStore(f *factory) (*store.OpenBao, error) {
	if f.openBao != nil {
		return f.openBao, nil
	}
	cfg := f.Config
	o, err := store.NewOpenBao(store.OpenBaoOptions{
		Getenv:          f.Getenv,
		Home:            f.Getenv("HOME"),
		Mount:           cfg.Get("openbao_mount"),
		Prefix:          cfg.Get("openbao_prefix"),
		Timeout:         cfg.Duration("openbao_timeout"),
		Auth:            cfg.Get("openbao_auth"),
		AuthMount:       cfg.Get("openbao_auth_mount"),
		RoleIDFile:      cfg.Get("openbao_role_id_file"),
		SecretIDFile:    cfg.Get("openbao_secret_id_file"),
		SecretIDWrapped: cfg.Get("openbao_secret_id_wrapped") == "true",
		JWTRole:         cfg.Get("openbao_jwt_role"),
		JWTFile:         cfg.Get("openbao_jwt_file"),
		Writer:          "terok " + version,
	})
	if err != nil {
		return nil, err
	}
	f.openBao = o
	return o, nil
}

// doctorOpenBao checks the engine when it is the store: reachable,
// unsealed, the token, the mount, the policy.
func doctorOpenBao(ctx context.Context, f *factory) []check {
	if s := f.Config.Get("store"); s != "openbao" && s != "vault" {
		return nil
	}
	o, err := openBaoStore(f)
	if err != nil {
		c := check{Name: "openbao", Status: "fail", Detail: firstLine(err.Error())}
		var se *store.Error
		if errors.As(err, &se) {
			c.Fix = se.Fix
		}
		return []check{c}
	}
	var out []check
	for _, d := range o.Diagnose(ctx) {
		c := check{Name: d.Name, Status: "ok", Detail: d.Detail, Fix: d.Fix}
		if !d.OK {
			c.Status = "fail"
		}
		out = append(out, c)
	}
	return out
}
