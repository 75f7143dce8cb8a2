package auth

import "github.com/terok-ai/terok-auth/sdk"

// demoteModes returns resp with the modes in why moved behind all others,
// keeping their order, and the default moved to the first mode not demoted,
// unless the user requested the default. The login uses it when it knows a
// mode cannot run now (a container login with no image); why[m] says why.
func demoteModes(resp *sdk.NegotiateResponse, requested sdk.Mode, why map[sdk.Mode]string) *sdk.NegotiateResponse {
	if len(why) == 0 {
		return resp
	}
	out := &sdk.NegotiateResponse{Unavailable: resp.Unavailable, Default: resp.Default}
	var later []sdk.Mode
	for _, m := range resp.Modes {
		if _, ok := why[m]; ok {
			later = append(later, m)
		} else {
			out.Modes = append(out.Modes, m)
		}
	}
	if _, demoted := why[out.Default]; demoted && out.Default != requested && len(out.Modes) > 0 {
		out.Default = out.Modes[0]
	}
	out.Modes = append(out.Modes, later...)
	return out
}
