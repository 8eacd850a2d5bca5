/*
 * Power off (sleep state S5) and reset, as the FADT describes them. Without
 * an AML interpreter we skip \_PTS and friends: fine on QEMU and most PCs,
 * not a guarantee on every laptop.
 */
#include <drivers/acpi/acpi.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <mm/phys.h>
#include <mm/vmap.h>
#include <asm/io.h>

/* PM1 control register bits (ACPI 6.5 table 4.13). */
#define PM1_SCI_EN        (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)
/* Sleep control register of HW-reduced platforms (4.8.3.7). */
#define SLEEP_TYP_SHIFT   2
#define SLEEP_EN          (1u << 5)

/* Legacy reset ports: the chipset's Reset Control Register and the 8042. */
#define PORT_RESET_CONTROL 0xcf9
#define RCR_SYS_RST        0x02
#define RCR_RST_CPU        0x04
#define PORT_KBC_STATUS    0x64
#define KBC_INPUT_FULL     0x02
#define KBC_CMD_PULSE_RESET 0xfe

/* Firmware that boots in legacy mode needs ACPI_ENABLE written to SMI_CMD
 * before SLP_EN does anything; wait up to ~1 s for SCI_EN to appear. */
static void enter_acpi_mode(const struct acpi_info *ai)
{
	if ((inw(ai->pm1a_cnt) & PM1_SCI_EN) || !ai->smi_cmd || !ai->acpi_enable)
		return;
	outb((uint16_t)ai->smi_cmd, ai->acpi_enable);
	for (int i = 0; i < 1000 && !(inw(ai->pm1a_cnt) & PM1_SCI_EN); i++)
		udelay(1000);
}

static void write_slp(uint16_t port, uint8_t typ)
{
	uint16_t v = inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);

	/* SLP_TYP first, then SLP_EN, as two writes (4.8.3.2.1 allows one,
	 * but some chipsets latch the type on a separate write). */
	v |= (uint16_t)(typ << PM1_SLP_TYP_SHIFT);
	outw(port, v);
	outw(port, v | PM1_SLP_EN);
}

/* Write a byte to a Generic Address Structure register. */
static int gas_write8(const struct acpi_gas *g, uint8_t val)
{
	switch (g->space_id) {
	case ACPI_GAS_IO:
		if (g->address > 0xffff)
			return -EINVAL;
		outb((uint16_t)g->address, val);
		return 0;
	case ACPI_GAS_MEMORY: {
		volatile uint8_t *p = ioremap(g->address, 1);
		if (!p)
			return -ENOMEM;
		*p = val;
		return 0;
	}
	case ACPI_GAS_PCI_CONFIG: {
		/* Bus 0; address = device << 32 | function << 16 | offset. */
		uint32_t dev = (g->address >> 32) & 0x1f, fn = (g->address >> 16) & 7;
		uint32_t off = g->address & 0xff;
		outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
		outb((uint16_t)(0xcfc + (off & 3)), val);
		return 0;
	}
	default:
		return -EOPNOTSUPP;
	}
}

int acpi_poweroff(void)
{
	const struct acpi_info *ai = acpi_get_info();

	if (!ai || !ai->has_fadt || !ai->has_s5)
		return -ENODEV;
	arch_irq_disable();
	if (ai->fadt_flags & ACPI_FADT_HW_REDUCED) {
		if (!ai->sleep_control.address)
			return -ENODEV;
		gas_write8(&ai->sleep_control,
			   (uint8_t)((ai->slp_typa << SLEEP_TYP_SHIFT) | SLEEP_EN));
	} else {
		if (!ai->pm1a_cnt)
			return -ENODEV;
		enter_acpi_mode(ai);
		write_slp(ai->pm1a_cnt, ai->slp_typa);
		if (ai->pm1b_cnt)
			write_slp(ai->pm1b_cnt, ai->slp_typb);
	}
	/* The machine should be off by now; give slow hardware a moment. */
	mdelay(100);
	return -EIO;
}

static void kbc_reset(void)
{
	for (int i = 0; i < 10000 && (inb(PORT_KBC_STATUS) & KBC_INPUT_FULL); i++)
		udelay(10);
	outb(PORT_KBC_STATUS, KBC_CMD_PULSE_RESET);
}

/* An empty IDT turns the next exception into a triple fault: CPU reset. */
static __noreturn void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };

	__asm__ volatile("lidt %0; int3" ::"m"(empty));
	arch_halt_forever();
}

void acpi_reboot(void)
{
	const struct acpi_info *ai = acpi_get_info();

	arch_irq_disable();
	if (ai && ai->has_reset && gas_write8(&ai->reset_reg, ai->reset_value) == 0)
		mdelay(50);
	if (!ai || !(ai->fadt_flags & ACPI_FADT_HW_REDUCED)) {
		outb(PORT_RESET_CONTROL, RCR_SYS_RST);
		udelay(50);
		outb(PORT_RESET_CONTROL, RCR_SYS_RST | RCR_RST_CPU);
		mdelay(50);
	}
	/* Boot_arch's 8042 bit is unreliable (0 in 1.0 FADTs): try it anyway. */
	if (!ai || !(ai->fadt_flags & ACPI_FADT_HW_REDUCED)) {
		kbc_reset();
		mdelay(50);
	}
	pr_err("reboot: firmware reset methods failed, triple faulting\n");
	triple_fault();
}
