/*
 * vsnprintf for the kernel: the C99 conversions printk needs, no floating
 * point. Pure: also compiled into the host unit tests (under another name).
 */
#include <kernel/printk.h>
#include <kernel/string.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;             /* characters produced, even past size */
};

struct fmt_spec {
	bool left, plus, space, zero, alt;
	int width;              /* -1: none */
	int prec;               /* -1: none */
	int length;             /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 't', 'j' */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct fmt_out *o, const struct fmt_spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = (int)strnlen(str, s->prec >= 0 ? (size_t)s->prec : (size_t)-1);
	if (!s->left)
		out_pad(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, str[i]);
	if (s->left)
		out_pad(o, ' ', s->width - n);
}

/* Integer conversion: value is the magnitude, neg its sign. */
static void out_num(struct fmt_out *o, const struct fmt_spec *s, uint64_t value,
		    bool neg, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	while (value) {
		tmp[n++] = digits[value % base];
		value /= base;
	}
	/* Precision 0 with value 0 prints no digits (C99). */
	if (n == 0 && s->prec != 0)
		tmp[n++] = '0';

	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (s->plus)
		prefix = "+";
	else if (s->space)
		prefix = " ";
	if (s->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (s->alt && base == 8 && tmp[n - 1] != '0')
		prefix = "0";

	int zeros = s->prec > n ? s->prec - n : 0;
	int plen = (int)strlen(prefix);
	int pad = s->width - plen - zeros - n;
	if (s->zero && !s->left && s->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!s->left)
		out_pad(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	out_pad(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (s->left)
		out_pad(o, ' ', pad);
}

static const char *parse_spec(const char *f, struct fmt_spec *s, va_list *ap)
{
	*s = (struct fmt_spec){ .width = -1, .prec = -1 };
	for (;; f++) {
		if (*f == '-') s->left = true;
		else if (*f == '+') s->plus = true;
		else if (*f == ' ') s->space = true;
		else if (*f == '0') s->zero = true;
		else if (*f == '#') s->alt = true;
		else break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			s->width = (s->width < 0 ? 0 : s->width * 10) + (*f - '0');
	}
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			if (s->prec < 0)
				s->prec = -1;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				s->prec = s->prec * 10 + (*f - '0');
		}
	}
	switch (*f) {
	case 'h':
		s->length = (f[1] == 'h') ? 'H' : 'h';
		f += (f[1] == 'h') ? 2 : 1;
		break;
	case 'l':
		s->length = (f[1] == 'l') ? 'L' : 'l';
		f += (f[1] == 'l') ? 2 : 1;
		break;
	case 'z': case 't': case 'j':
		s->length = *f++;
		break;
	}
	return f;
}

static int64_t arg_signed(const struct fmt_spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': case 't': return va_arg(*ap, long);
	case 'j': return va_arg(*ap, int64_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct fmt_spec *s, va_list *ap)
{
	switch (s->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': case 't': return va_arg(*ap, unsigned long);
	case 'j': return va_arg(*ap, uint64_t);
	default: return va_arg(*ap, unsigned);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };
	struct fmt_spec s;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &ap);
		switch (*fmt) {
		case 'd': case 'i': {
			int64_t v = arg_signed(&s, &ap);
			out_num(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false);
			break;
		}
		case 'u': out_num(&o, &s, arg_unsigned(&s, &ap), false, 10, false); break;
		case 'x': out_num(&o, &s, arg_unsigned(&s, &ap), false, 16, false); break;
		case 'X': out_num(&o, &s, arg_unsigned(&s, &ap), false, 16, true); break;
		case 'o': out_num(&o, &s, arg_unsigned(&s, &ap), false, 8, false); break;
		case 'p':
			s.alt = true;
			out_num(&o, &s, (uintptr_t)va_arg(ap, void *), false, 16, false);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			s.prec = 1;
			out_str(&o, &s, c);
			break;
		}
		case 's': out_str(&o, &s, va_arg(ap, const char *)); break;
		case '%': out_char(&o, '%'); break;
		case '\0': fmt--; break;        /* lone '%' at the end */
		default:                        /* unknown: print it verbatim */
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	va_end(ap);
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
