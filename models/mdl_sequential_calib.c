// SPDX-License-Identifier: MIT
/* Quasar models: sequential calibration, layers packed on the compressed model's inputs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_util.h"
#include "mdl_variant.h"

/*
 * End (exclusive, in @order) of the stage starting at order[pos]: the
 * layers reading its input. They must run back to back and the stage must
 * hold the whole group, or one shared s could not be searched on one input.
 */
static int mdl_seq_stage(const struct mdl_linset *ls, const uint32_t *order, uint32_t pos,
			 uint32_t *end)
{
	uint32_t g = ls->l[order[pos]].in_group, e = pos, members = 0, i;

	while (e < ls->count && ls->l[order[e]].in_group == g)
		e++;
	for (i = 0; i < ls->count; i++)
		members += ls->l[i].in_group == g;
	if (members != e - pos)
		return -EINVAL;
	*end = e;
	return 0;
}

int mdl_variant_build_seq(const struct mdl_variant *v, const struct mdl_linset *fp32,
			  const struct mdl_calib_src *src, struct mdl_linset *out, char *err,
			  size_t errlen)
{
	struct mdl_calib_set cal = { 0 };
	uint32_t *order = NULL, pos, end, i;
	float *gs = NULL;
	int ret;

	if (!v->algo->needs_calib)
		return mdl_variant_build(v, fp32, NULL, out, err, errlen);
	if (!src)
		return mdl_err(err, errlen, -EINVAL,
			       "%s: algorithm %s needs calibration data", v->name, v->algo->name);
	ret = mdl_linset_clone(fp32, out);
	if (ret)
		return mdl_err(err, errlen, ret, "out of memory");
	/* the FP32 pass gives the first stage's inputs and the execution order */
	ret = mdl_calib_capture(src, out, MDL_CALIB_ALL, &cal);
	if (ret) {
		mdl_err(err, errlen, ret, "%s: calibration capture failed (%d)", v->name, ret);
		goto fail;
	}
	if (cal.seen != out->count) {
		ret = mdl_err(err, errlen, -EINVAL, "%s: the forward pass ran %u of %u layers",
			      v->name, cal.seen, out->count);
		goto fail;
	}
	order = malloc(sizeof(*order) * out->count);
	if (!order) {
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(order, cal.order, sizeof(*order) * out->count);
	for (pos = 0; pos < out->count; pos = end) {
		uint32_t lead;

		if (mdl_seq_stage(out, order, pos, &end)) {
			ret = mdl_err(err, errlen, -EINVAL,
				      "%s: layers sharing %s's input do not run back to back",
				      v->name, out->l[order[pos]].name);
			goto fail;
		}
		if (pos > 0) {
			/* every layer before this stage now runs packed */
			mdl_calib_free(&cal);
			ret = mdl_calib_capture(src, out, order[end - 1], &cal);
			if (ret) {
				mdl_err(err, errlen, ret, "%s: calibration capture failed (%d)",
					v->name, ret);
				goto fail;
			}
		}
		for (i = pos; i < end; i++)
			if (cal.c[order[i]].rows == 0) {
				ret = mdl_err(err, errlen, -EINVAL,
					      "%s: no calibration rows for layer %s", v->name,
					      out->l[order[i]].name);
				goto fail;
			}
		lead = out->l[order[pos]].in_group;
		if (v->algo->group_scales) {
			gs = malloc(sizeof(float) * out->l[lead].k);
			ret = gs ? mdl_variant_group_scale(v, out, lead, &cal.c[lead], gs) :
				   -ENOMEM;
			if (ret) {
				mdl_err(err, errlen, ret, "%s: input scales of layer %s: %s",
					v->name, out->l[lead].name, compress_strerror(ret));
				goto fail;
			}
		}
		for (i = pos; i < end && !ret; i++)
			ret = mdl_variant_pack(v, &out->l[order[i]], &cal.c[order[i]], gs, err,
					       errlen);
		free(gs);
		gs = NULL;
		if (ret)
			goto fail;
	}
	mdl_calib_free(&cal);
	free(order);
	return 0;
fail:
	free(gs);
	free(order);
	mdl_calib_free(&cal);
	mdl_linset_free(out, 0);
	return ret;
}
