/*
 * FADT ("FACP"): where the DSDT is, the PM1 control ports used for S5, the
 * reset register, the CMOS century index and platform flags. Pure parser.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/acpi/spec.h>
#include <kernel/errno.h>
#include <kernel/string.h>

static void gas_from_raw(struct acpi_gas *out, const struct acpi_gas_raw *in)
{
	out->space_id = in->space_id;
	out->bit_width = in->bit_width;
	out->bit_offset = in->bit_offset;
	out->access_size = in->access_size;
	out->address = in->address;
}

/* The 64-bit X_ block wins when present (ACPI 6.5 5.2.9); PM1 control is
 * always in I/O space on the machines we support. */
static uint16_t pm1_port(const struct acpi_gas_raw *x, uint32_t legacy)
{
	if (x->address && x->space_id == ACPI_GAS_IO && x->address <= 0xffff)
		return (uint16_t)x->address;
	return legacy <= 0xffff ? (uint16_t)legacy : 0;
}

int acpi_parse_fadt(const void *table, size_t len, struct acpi_info *info)
{
	struct acpi_fadt f;

	/* Rev 1 ends right after `flags`; anything shorter is not a FADT. */
	if (len < offsetof(struct acpi_fadt, reset_reg))
		return -EINVAL;
	/* Copy into a zeroed struct: fields past `len` read as "absent". */
	memset(&f, 0, sizeof(f));
	memcpy(&f, table, MIN(len, sizeof(f)));

	info->has_fadt = true;
	info->fadt_revision = f.hdr.revision;
	info->fadt_flags = f.flags;
	info->boot_arch = f.iapc_boot_arch;
	info->sci_irq = f.sci_int;
	info->smi_cmd = f.smi_cmd;
	info->acpi_enable = f.acpi_enable;
	info->century = f.century;
	info->dsdt_phys = f.x_dsdt ? f.x_dsdt : f.dsdt;

	info->pm1a_cnt = pm1_port(&f.x_pm1a_cnt_blk, f.pm1a_cnt_blk);
	info->pm1b_cnt = pm1_port(&f.x_pm1b_cnt_blk, f.pm1b_cnt_blk);
	info->pm_timer = pm1_port(&f.x_pm_tmr_blk, f.pm_tmr_blk);
	gas_from_raw(&info->sleep_control, &f.sleep_control_reg);

	/* A revision-1 FADT (116 bytes) has no reset register: reset_reg was
	 * zero-filled above, so has_reset stays false for it. */
	if ((f.flags & ACPI_FADT_RESET_REG_SUP) && f.reset_reg.address) {
		info->has_reset = true;
		gas_from_raw(&info->reset_reg, &f.reset_reg);
		info->reset_value = f.reset_value;
	}
	return 0;
}
