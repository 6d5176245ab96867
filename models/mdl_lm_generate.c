// SPDX-License-Identifier: MIT
/* Quasar models: generation on the language model's device program (mdl_lm_generate.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_lm_generate.h"
#include "mdl_lm_program.h"
#include "mdl_util.h"

int mdl_lm_generate_check(const struct mdl_llama *m, uint32_t prompt, uint32_t n, char *err,
			  size_t errlen)
{
	if (prompt == 0)
		return mdl_err(err, errlen, -EINVAL,
			       "an empty prompt (the first job needs a token)");
	if (prompt > m->seq_len)
		return mdl_err(err, errlen, -EINVAL,
			       "a prompt of %u tokens is longer than the model's context of %u",
			       prompt, m->seq_len);
	if (n == 0 || (uint64_t)prompt + n - 1 > m->seq_len)
		return mdl_err(err, errlen, -EINVAL,
			       "%u tokens after a prompt of %u: 1..%u fit the context of %u "
			       "(the last token is not fed back)", n, prompt,
			       m->seq_len - prompt + 1, m->seq_len);
	return 0;
}

int mdl_lm_generate(struct mdl_loaded *l, const struct mdl_llama *m, const uint32_t *prompt,
		    uint32_t plen, uint32_t n, struct mdl_sampler *s, mdl_gen_fn fn, void *ctx,
		    uint32_t *out, uint32_t *done, char *err, size_t errlen)
{
	const uint32_t V = m->vocab;
	float *y;
	uint32_t i;
	int ret = mdl_lm_generate_check(m, plen, n, err, errlen);

	*done = 0;
	if (ret)
		return ret;
	if (plen > l->p->batch)
		return mdl_err(err, errlen, -EINVAL,
			       "a prompt of %u tokens: the program takes steps of 1..%u", plen,
			       l->p->batch);
	if (s->vocab != V)
		return mdl_err(err, errlen, -EINVAL, "a sampler for %u tokens, the model has %u",
			       s->vocab, V);
	y = malloc(sizeof(float) * plen * V);
	if (!y)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < n && !ret; i++) {
		struct mdl_gen_token t = { .index = i, .pos = i ? plen + i - 1 : 0,
					   .rows = i ? 1 : plen };
		double t0 = mdl_now();
		char why[384];

		ret = mdl_lm_device_step(l, m, 0, t.pos, t.rows, i ? &out[i - 1] : prompt, y,
					 &t.st, why, sizeof(why));
		t.wall_s = mdl_now() - t0;
		if (ret) {
			mdl_err(err, errlen, ret, "token %u (%s job, positions %u..%u): %s", i,
				i ? "decode" : "prefill", t.pos, t.pos + t.rows - 1, why);
			break;
		}
		t.logits = y + (size_t)(t.rows - 1) * V;
		t.top1 = mdl_sample_argmax(t.logits, V);
		t.token = mdl_sample(s, t.logits);
		out[i] = t.token;
		*done = i + 1;
		if (fn)
			ret = fn(ctx, &t);
	}
	free(y);
	return ret;
}
