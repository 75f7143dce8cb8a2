"""The pyacme provider: API keys of the form pyacme_<32 hex digits>, and an
OAuth login (`pyacme login`, run by terok in a container) that leaves
~/.pyacme/session.json behind. It only describes, decides and parses:
terok prompts, stores and runs the container."""

import json
import re

import provider_pb2 as pb
from goplugin import ProviderError, log

NAME = "pyacme"
MODES = ["api_key", "oauth"]
KEY_RE = re.compile(r"^pyacme_[0-9a-f]{32}$")


def _container(mode):
    return mode in ("oauth", "device")


def _credential(fields):
    return pb.Credential(json=json.dumps(fields, sort_keys=True).encode())


class Provider:
    def describe(self, _req):
        return pb.DescribeResponse(name=NAME, label="PyAcme", version="0.1.0", modes=MODES,
                                   description="An example provider written in Python",
                                   host_dir="_pyacme-config", protocol_version=1)

    def negotiate(self, req):
        # The same rules as the Go SDK's sdk.NegotiateModes.
        if req.requested and req.requested not in MODES:
            raise ProviderError("UNSUPPORTED_MODE", "%r is not supported (supported: %s)" % (req.requested, ", ".join(MODES)))
        resp = pb.NegotiateResponse()
        for m in MODES:
            if _container(m) and not req.oauth_allowed:
                resp.unavailable.add(mode=m, reason="container logins are disabled by policy")
            elif _container(m) and not req.container_runtime:
                resp.unavailable.add(mode=m, reason="no container runtime (podman) was found")
            else:
                resp.modes.append(m)
        if req.requested and req.requested in resp.modes:
            resp.default = req.requested
        elif not req.interactive and "api_key" in resp.modes:
            resp.default = "api_key"
        elif resp.modes:
            resp.default = resp.modes[0]
        return resp

    def key_prompt(self, _req):
        return pb.KeyPromptResponse(label="PyAcme API key", secret=True, env_var="PYACME_API_KEY",
                                    format_hint="pyacme_ and 32 hex digits")

    def accept_key(self, req):
        key = req.key.strip()
        if not KEY_RE.match(key):
            raise ProviderError("INVALID_KEY", "a PyAcme key is pyacme_ and 32 hex digits")
        log("debug", "accepted a key", length=len(key))  # never the key itself
        return pb.AcceptKeyResponse(credential=_credential({"type": "api_key", "key": key}))

    def container_spec(self, req):
        if req.mode != "oauth":
            raise ProviderError("UNSUPPORTED_MODE", "pyacme logs in with oauth only in a container")
        return pb.ContainerSpecResponse(command=["pyacme", "login"], config_path="/home/dev/.pyacme",
                                        banner="Log in with your PyAcme account.")

    def capture(self, req):
        if req.mode != "oauth":
            raise ProviderError("UNSUPPORTED_MODE", "pyacme captures nothing for %s" % req.mode)
        files = {f.path: f.data for f in req.files}
        if "session.json" not in files:
            raise ProviderError("NOTHING_CAPTURED", "pyacme wrote no session.json")
        try:
            s = json.loads(files["session.json"])
        except ValueError:
            raise ProviderError("NOTHING_CAPTURED", "session.json is not JSON") from None
        if not isinstance(s, dict) or not isinstance(s.get("token"), str) or not s["token"]:
            raise ProviderError("NOTHING_CAPTURED", "session.json holds no token")
        fields = {"type": "oauth", "access_token": s["token"]}
        if isinstance(s.get("refresh"), str) and s["refresh"]:
            fields["refresh_token"] = s["refresh"]
        if isinstance(s.get("expires"), int) and s["expires"] > 0:
            fields["expires_at"] = s["expires"]  # already Unix seconds
        return pb.CaptureResponse(credential=_credential(fields))

    def injection(self, _req):
        # How each stored credential reaches the tool at run time (terok auth
        # exec / env): templates over the credential's fields, carried out by
        # terok. The plugin never sees the credential then.
        return pb.InjectionResponse(injections=[
            pb.Injection(credential_type="api_key", env={"PYACME_API_KEY": "${key}"}),
            pb.Injection(credential_type="oauth", env={"PYACME_TOKEN": "${access_token}"}),
        ])
