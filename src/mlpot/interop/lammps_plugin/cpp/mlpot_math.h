/* exp and cos(pi x) from arithmetic alone (a few ulp from libm), so that loops over
   neighbours and triplets that call them vectorise; the same construction as
   mlpot.descriptors.kernels. */

#ifndef MLPOT_MATH_H
#define MLPOT_MATH_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace mlpot {

// x = k ln 2 + r with |r| <= ln(2) / 2, k whole, x clamped to [-708, 709]; returns 2^k
inline double reduce_exp(double x, double &r)
{
  constexpr double LOG2E = 1.4426950408889634074;
  constexpr double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
  constexpr double SHIFT = 6755399441055744.0;    // 1.5 * 2^52: k sits in the low mantissa bits
  x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
  const double k = std::floor(x * LOG2E + 0.5);
  r = (x - k * LN2_HI) - k * LN2_LO;
  const double shifted = k + SHIFT;
  std::int64_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  bits = (bits << 52) + (std::int64_t(1023) << 52);
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return scale;
}

// (e^r - 1) / r by its Taylor series, for |r| <= ln(2) / 2
inline double expm1_over_r(double r)
{
  constexpr double INV_FACTORIAL[13] = {1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720,
                                        1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
                                        1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  double p = 1.0 / 87178291200.0;    // 1 / 14!
  for (int j = 12; j >= 0; --j) p = p * r + INV_FACTORIAL[j];
  return p;
}

// e^x for -708 <= x <= 709 (clamped outside)
inline double fast_exp(double x)
{
  double r;
  const double scale = reduce_exp(x, r);
  return (1.0 + r * expm1_over_r(r)) * scale;
}

// tanh(x) = (e^2x - 1) / (e^2x + 1), with e^2x - 1 = 2^k (e^r - 1) + 2^k - 1 free of cancellation
inline double fast_tanh(double x)
{
  double r;
  const double scale = reduce_exp(2.0 * x, r);
  const double expm1 = scale * (r * expm1_over_r(r)) + (scale - 1.0);
  return expm1 / (expm1 + 2.0);
}

// cos(pi x) and sin(pi x) for 0 <= x <= 1, Taylor series around x = 1/2
inline void cos_sin_pi(double x, double &c, double &s)
{
  constexpr double PI = 3.14159265358979323846;
  const double y = PI * (x - 0.5), y2 = y * y;
  double sin_y = 1.0 / 51090942171709440000.0;    // 1 / 21!
  constexpr double SIN[10] = {1.0, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880,
                              -1.0 / 39916800, 1.0 / 6227020800.0, -1.0 / 1307674368000.0,
                              1.0 / 355687428096000.0, -1.0 / 121645100408832000.0};
  for (int k = 9; k >= 0; --k) sin_y = sin_y * y2 + SIN[k];
  double cos_y = 1.0 / 620448401733239439360000.0;    // 1 / 24!
  constexpr double COS[12] = {1.0, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320,
                              -1.0 / 3628800, 1.0 / 479001600, -1.0 / 87178291200.0,
                              1.0 / 20922789888000.0, -1.0 / 6402373705728000.0,
                              1.0 / 2432902008176640000.0, -1.0 / 1124000727777607680000.0};
  for (int k = 11; k >= 0; --k) cos_y = cos_y * y2 + COS[k];
  c = -sin_y * y;    // cos(pi x) = -sin(y)
  s = cos_y;         // sin(pi x) = cos(y)
}

}    // namespace mlpot

#endif
