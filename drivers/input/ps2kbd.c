/*
 * The i8042 PS/2 controller and the keyboard on its first port. The
 * controller is set up by polling (self-test, interface test, the
 * keyboard's reset), then runs with translation on, so the keyboard's
 * scancode set 2 arrives as set 1, one byte per IRQ 1 (routed through the
 * I/O APIC like COM1's IRQ 4). drivers/input/keymap.c turns bytes into key
 * events and typed bytes; each event goes to the keyboard channel
 * (ipc/keyboard.c) and the bytes to the console (tty_console_input).
 *
 * Facts from the 8042 documentation: data port 0x60, status/command port
 * 0x64; status bit 0 output full, bit 1 input full; controller commands
 * 0x20/0x60 read/write the configuration byte (bit 0 port-1 IRQ, bit 1
 * port-2 IRQ, bit 4 port-1 clock off, bit 6 translation), 0xAA self-test
 * (0x55), 0xAB port-1 test (0x00), 0xAD/0xAE disable/enable port 1, 0xA7
 * disable port 2; keyboard commands 0xFF reset (0xFA then 0xAA), 0xED set
 * LEDs, 0xF4 enable scanning; answers 0xFA ack, 0xFE resend.
 *
 * Locking: ps2.lock (taken in the interrupt, interrupts off) protects the
 * decoder and the LED exchange; events are handed on after it is dropped.
 */
#include <drivers/input/ps2kbd.h>
#include <drivers/input/keymap.h>
#include <drivers/acpi/acpi.h>
#include <drivers/tty/console.h>
#include <drivers/video/fbcon.h>
#include <ipc/chan.h>
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <asm/cpu.h>
#include <asm/io.h>

#define I8042_DATA      0x60
#define I8042_STATUS    0x64            /* read */
#define I8042_COMMAND   0x64            /* write */

#define STATUS_OUT_FULL 0x01
#define STATUS_IN_FULL  0x02

#define CMD_READ_CONFIG   0x20
#define CMD_WRITE_CONFIG  0x60
#define CMD_DISABLE_PORT2 0xa7
#define CMD_SELF_TEST     0xaa
#define CMD_TEST_PORT1    0xab
#define CMD_DISABLE_PORT1 0xad
#define CMD_ENABLE_PORT1  0xae

#define CONFIG_PORT1_IRQ   0x01
#define CONFIG_PORT2_IRQ   0x02
#define CONFIG_PORT1_CLOCK_OFF 0x10
#define CONFIG_TRANSLATE   0x40

#define KBD_RESET       0xff
#define KBD_SET_LEDS    0xed
#define KBD_ENABLE      0xf4
#define KBD_ACK         0xfa
#define KBD_RESEND      0xfe
#define KBD_RESET_OK    0xaa

#define WAIT_NS         (500ull * 1000 * 1000)  /* per byte during setup */
#define KBD_RESET_WAIT_NS (1000ull * 1000 * 1000) /* a reset's self-test */

enum led_step { LED_IDLE, LED_SENT_CMD, LED_SENT_MASK };

static struct {
	struct spinlock lock;
	struct keymap_state keys;
	enum led_step led_step;
	uint8_t led_mask;               /* being sent */
	uint8_t leds_shown;             /* last acknowledged */
	bool present;
} ps2 = { .lock = SPINLOCK_INIT("ps2kbd") };

/* ---- polled I/O, for setup ---------------------------------------------- */

static bool wait_status(uint8_t bit, bool set, uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	while (!!(inb(I8042_STATUS) & bit) != set)
		if (time_ns() > end)
			return false;
		else
			cpu_relax();
	return true;
}

static int write_port(uint16_t port, uint8_t v)
{
	if (!wait_status(STATUS_IN_FULL, false, WAIT_NS))
		return -1;
	outb(port, v);
	return 0;
}

static int read_data(uint64_t ns)
{
	if (!wait_status(STATUS_OUT_FULL, true, ns))
		return -1;
	return inb(I8042_DATA);
}

static int command(uint8_t cmd)
{
	return write_port(I8042_COMMAND, cmd);
}

static int command_reply(uint8_t cmd)
{
	return command(cmd) ? -1 : read_data(WAIT_NS);
}

static void flush_output(void)
{
	for (int i = 0; i < 64 && (inb(I8042_STATUS) & STATUS_OUT_FULL); i++)
		(void)inb(I8042_DATA);
}

static int write_config(uint8_t config)
{
	return command(CMD_WRITE_CONFIG) ? -1 : write_port(I8042_DATA, config);
}

/* A byte to the keyboard, then its acknowledgement (resent on 0xFE). */
static int keyboard_command(uint8_t cmd)
{
	for (int tries = 0; tries < 3; tries++) {
		if (write_port(I8042_DATA, cmd))
			return -1;
		int r = read_data(WAIT_NS);
		if (r == KBD_ACK)
			return 0;
		if (r != KBD_RESEND)
			return -1;
	}
	return -1;
}

/* ---- the interrupt --------------------------------------------------------- */

/* The LED exchange runs inside the byte stream: ED, ack, mask, ack. */
static bool led_answer(uint8_t byte)
{
	if (ps2.led_step == LED_IDLE || (byte != KBD_ACK && byte != KBD_RESEND))
		return false;
	if (byte == KBD_RESEND) {
		outb(I8042_DATA, ps2.led_step == LED_SENT_CMD ? KBD_SET_LEDS : ps2.led_mask);
		return true;
	}
	if (ps2.led_step == LED_SENT_CMD) {
		outb(I8042_DATA, ps2.led_mask);
		ps2.led_step = LED_SENT_MASK;
	} else {
		ps2.leds_shown = ps2.led_mask;
		ps2.led_step = LED_IDLE;
	}
	return true;
}

static void update_leds(void)
{
	uint8_t want = keymap_leds(ps2.keys.mods);

	if (ps2.led_step != LED_IDLE || want == ps2.leds_shown)
		return;
	if (inb(I8042_STATUS) & STATUS_IN_FULL)
		return;                 /* busy: the next key tries again */
	ps2.led_mask = want;
	ps2.led_step = LED_SENT_CMD;
	outb(I8042_DATA, KBD_SET_LEDS);
}

static void deliver(const struct keymap_event *k)
{
	char buf[KEYMAP_MAX_BYTES];
	uint32_t ch;
	size_t n = keymap_bytes(k, fbcon_app_cursor_keys(), buf, &ch);
	struct goos_key_event ev = {
		.code = ch, .source = GOOS_KEY_PS2, .keycode = k->keycode,
		.value = k->value, .mods = k->mods,
	};

	keyboard_input_event(&ev);
	if (n)
		tty_console_input(buf, n);
}

static void ps2_irq(void *data)
{
	(void)data;
	for (int i = 0; i < 16 && (inb(I8042_STATUS) & STATUS_OUT_FULL); i++) {
		uint8_t byte = inb(I8042_DATA);
		struct keymap_event k;
		int got;

		spin_lock(&ps2.lock);
		if (led_answer(byte)) {
			spin_unlock(&ps2.lock);
			continue;
		}
		got = keymap_scancode(&ps2.keys, byte, &k);
		if (got)
			update_leds();
		spin_unlock(&ps2.lock);
		if (got)
			deliver(&k);
	}
}

/* ---- setup ------------------------------------------------------------------- */

/* The firmware's word first: ACPI 2.0+ FADTs (revision 3 and later) have
 * IAPC_BOOT_ARCH, whose 8042 flag says whether there is a controller. */
static bool firmware_says_absent(void)
{
	const struct acpi_info *info = acpi_get_info();

	return info && info->has_fadt && info->fadt_revision >= 3 &&
	       !(info->boot_arch & ACPI_BOOT_8042);
}

static const char *controller_init(void)
{
	if (inb(I8042_STATUS) == 0xff)
		return "no controller (status reads 0xff)";
	if (command(CMD_DISABLE_PORT1) || command(CMD_DISABLE_PORT2))
		return "controller does not take commands";
	flush_output();
	int config = command_reply(CMD_READ_CONFIG);
	if (config < 0)
		return "cannot read the configuration byte";
	config &= ~(CONFIG_PORT1_IRQ | CONFIG_PORT2_IRQ | CONFIG_TRANSLATE);
	if (write_config((uint8_t)config))
		return "cannot write the configuration byte";
	if (command_reply(CMD_SELF_TEST) != 0x55)
		return "controller self-test failed";
	/* The self-test may reset the controller: write the byte again. */
	if (write_config((uint8_t)config))
		return "cannot write the configuration byte";
	if (command_reply(CMD_TEST_PORT1) != 0x00)
		return "port 1 test failed";
	if (command(CMD_ENABLE_PORT1))
		return "cannot enable port 1";
	flush_output();
	if (keyboard_command(KBD_RESET) || read_data(KBD_RESET_WAIT_NS) != KBD_RESET_OK)
		return "no keyboard (reset not acknowledged)";
	if (keyboard_command(KBD_ENABLE))
		return "keyboard does not enable scanning";
	config = (config | CONFIG_PORT1_IRQ | CONFIG_TRANSLATE) & ~CONFIG_PORT1_CLOCK_OFF;
	if (write_config((uint8_t)config))
		return "cannot write the configuration byte";
	flush_output();
	return NULL;
}

void ps2kbd_init(void)
{
	if (firmware_says_absent()) {
		pr_info("ps2kbd: no i8042 (ACPI FADT IAPC_BOOT_ARCH)\n");
		return;
	}
	const char *why = controller_init();
	if (why) {
		pr_info("ps2kbd: %s\n", why);
		return;
	}
	keymap_init(&ps2.keys);
	int err = request_isa_irq(1, ps2_irq, NULL);
	if (err) {
		pr_warn("ps2kbd: cannot route IRQ 1: %d\n", err);
		return;
	}
	ps2.present = true;
	unsigned long flags = spin_lock_irqsave(&ps2.lock);
	update_leds();                  /* NumLock starts on */
	spin_unlock_irqrestore(&ps2.lock, flags);
	flags = arch_irq_save();        /* as the interrupt runs */
	ps2_irq(NULL);                  /* anything typed before the route */
	arch_irq_restore(flags);
	pr_info("ps2kbd: i8042 keyboard on IRQ 1 (scancode set 2, translated)\n");
}
