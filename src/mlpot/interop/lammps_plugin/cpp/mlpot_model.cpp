/* Reader of the mlpot potential file: a line-oriented text format, '#' starts a comment.

   mlpot_potential 1
   elements N E1 ... EN
   cutoff_function NAME ALPHA
   element E FUNCTIONS LAYERS          (one block per element, in the order of `elements`)
   radial NEIGH eta rs rc              (FUNCTIONS lines, one per descriptor column)
   narrow N1 N2 eta lambda zeta rc rs
   wide N1 N2 eta lambda zeta rc rs rs2
   range LOW HIGH                      (optional: FUNCTIONS lines, or none at all)
   layer N_IN N_OUT ACTIVATION         (LAYERS times, followed by)
   N_IN lines of N_OUT weights, then one line of N_OUT biases
*/

#include "mlpot_model.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace mlpot {

namespace {

const std::map<std::string, int> CUTOFF_CODES = {
    {"hard", 0},  {"cos", 1},   {"tanhu", 2}, {"tanh", 3}, {"exp", 4},
    {"poly1", 5}, {"poly2", 6}, {"poly3", 7}, {"poly4", 8}};

const std::map<std::string, Activation> ACTIVATIONS = {
    {"tanh", Activation::tanh},
    {"softplus", Activation::softplus},
    {"shifted_softplus", Activation::shifted_softplus},
    {"silu", Activation::silu},
    {"sigmoid", Activation::sigmoid},
    {"gaussian", Activation::gaussian},
    {"relu", Activation::relu},
    {"linear", Activation::linear},
    {"selu", Activation::selu},
    {"cos", Activation::cos},
    {"reverse_sigmoid", Activation::reverse_sigmoid},
    {"negative_exp", Activation::negative_exp},
    {"square", Activation::square}};

// the file's meaningful lines, split into words, with their line numbers
class Lines {
 public:
  explicit Lines(const std::string &text)
  {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = line.substr(0, line.find('#'));
      std::istringstream words(line);
      std::vector<std::string> fields;
      std::string word;
      while (words >> word) fields.push_back(word);
      if (!fields.empty()) lines_.push_back({number, fields});
    }
  }

  // the next line, which must start with `keyword` (empty: any) and have `count` fields
  const std::vector<std::string> &next(const std::string &keyword, std::size_t count)
  {
    if (pos_ >= lines_.size())
      throw std::runtime_error("unexpected end of file: expected '" + keyword + "'");
    const auto &[number, fields] = lines_[pos_++];
    line_ = number;
    if (!keyword.empty() && fields[0] != keyword)
      fail("expected '" + keyword + "', found '" + fields[0] + "'");
    if (count && fields.size() != count)
      fail("expected " + std::to_string(count) + " fields, found " +
           std::to_string(fields.size()));
    return fields;
  }

  bool peek(const std::string &keyword) const
  {
    return pos_ < lines_.size() && lines_[pos_].second[0] == keyword;
  }

  double number(const std::string &word) const
  {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(word, &used);
    } catch (const std::exception &) {
      used = 0;
    }
    if (used != word.size()) fail("'" + word + "' is not a number");
    return value;
  }

  int integer(const std::string &word) const
  {
    double value = number(word);
    if (value != static_cast<int>(value) || value < 0)
      fail("'" + word + "' is not a count");
    return static_cast<int>(value);
  }

  [[noreturn]] void fail(const std::string &what) const
  {
    throw std::runtime_error("line " + std::to_string(line_) + ": " + what);
  }

 private:
  std::vector<std::pair<int, std::vector<std::string>>> lines_;
  std::size_t pos_ = 0;
  int line_ = 0;
};

int element_of(const Model &model, const Lines &lines, const std::string &symbol)
{
  int e = model.element_index(symbol);
  if (e < 0) lines.fail("element '" + symbol + "' is not among the model's elements");
  return e;
}

SymmetryFunction read_function(const Model &model, Lines &lines)
{
  static const std::map<std::string, std::pair<FunctionKind, std::size_t>> KINDS = {
      {"radial", {FunctionKind::radial, 5}},
      {"narrow", {FunctionKind::narrow, 8}},
      {"wide", {FunctionKind::wide, 9}}};
  const auto &fields = lines.next("", 0);
  auto kind = KINDS.find(fields[0]);
  if (kind == KINDS.end()) lines.fail("'" + fields[0] + "': expected radial, narrow or wide");
  if (fields.size() != kind->second.second)
    lines.fail("a " + fields[0] + " line has " + std::to_string(kind->second.second) + " fields");
  SymmetryFunction sf;
  sf.kind = kind->second.first;
  sf.neighbour1 = element_of(model, lines, fields[1]);
  std::vector<double> v;
  if (sf.kind == FunctionKind::radial) {
    for (int k = 2; k < 5; ++k) v.push_back(lines.number(fields[k]));
    sf.eta = v[0];
    sf.rs = v[1];
    sf.cutoff = v[2];
  } else {
    sf.neighbour2 = element_of(model, lines, fields[2]);
    for (std::size_t k = 3; k < fields.size(); ++k) v.push_back(lines.number(fields[k]));
    sf.eta = v[0];
    sf.lambda = v[1];
    sf.zeta = v[2];
    sf.cutoff = v[3];
    sf.rs = v[4];
    sf.rs2 = sf.kind == FunctionKind::wide ? v[5] : v[4];
    if (sf.neighbour1 > sf.neighbour2) std::swap(sf.neighbour1, sf.neighbour2);
    if (sf.zeta < 1.0) lines.fail("zeta must be >= 1");
  }
  if (sf.cutoff <= 0.0 || sf.eta < 0.0) lines.fail("needs eta >= 0 and rc > 0");
  return sf;
}

Layer read_layer(Lines &lines, int n_in)
{
  const auto &head = lines.next("layer", 4);
  Layer layer;
  layer.n_in = lines.integer(head[1]);
  layer.n_out = lines.integer(head[2]);
  auto act = ACTIVATIONS.find(head[3]);
  if (act == ACTIVATIONS.end()) lines.fail("unknown activation '" + head[3] + "'");
  layer.activation = act->second;
  if (layer.n_in != n_in)
    lines.fail("layer has " + std::to_string(layer.n_in) + " inputs, the previous gives " +
               std::to_string(n_in));
  for (int k = 0; k <= layer.n_in; ++k) {
    const auto &row = lines.next("", layer.n_out);
    auto &target = k < layer.n_in ? layer.weights : layer.biases;
    for (const auto &word : row) target.push_back(lines.number(word));
  }
  return layer;
}

ElementModel read_element(const Model &model, Lines &lines, const std::string &symbol)
{
  const auto &head = lines.next("element", 4);
  if (head[1] != symbol) lines.fail("expected the block of element " + symbol);
  int n_functions = lines.integer(head[2]);
  int n_layers = lines.integer(head[3]);
  if (n_functions < 1 || n_layers < 1) lines.fail("needs functions and layers");
  ElementModel element;
  for (int k = 0; k < n_functions; ++k) element.functions.push_back(read_function(model, lines));
  if (lines.peek("range")) {
    for (int k = 0; k < n_functions; ++k) {
      const auto &fields = lines.next("range", 3);
      element.low.push_back(lines.number(fields[1]));
      element.high.push_back(lines.number(fields[2]));
    }
  }
  int width = n_functions;
  for (int k = 0; k < n_layers; ++k) {
    element.layers.push_back(read_layer(lines, width));
    width = element.layers.back().n_out;
  }
  if (width != 1) lines.fail("the last layer must have one output (the atomic energy)");
  return element;
}

}    // namespace

double Model::cutoff() const
{
  double rc = 0.0;
  for (const auto &element : per_element)
    for (const auto &sf : element.functions) rc = std::max(rc, sf.cutoff);
  return rc;
}

int Model::element_index(const std::string &symbol) const
{
  auto found = std::find(elements.begin(), elements.end(), symbol);
  return found == elements.end() ? -1 : static_cast<int>(found - elements.begin());
}

Model parse_model(const std::string &text)
{
  Lines lines(text);
  const auto &magic = lines.next("mlpot_potential", 2);
  if (magic[1] != "1") lines.fail("format version " + magic[1] + " is not known (this reads 1)");
  Model model;
  const auto &elements = lines.next("elements", 0);
  int n = lines.integer(elements.at(1));
  if (n < 1 || elements.size() != static_cast<std::size_t>(n) + 2)
    lines.fail("'elements N E1 ... EN' with N element symbols");
  model.elements.assign(elements.begin() + 2, elements.end());
  const auto &cutoff = lines.next("cutoff_function", 3);
  auto code = CUTOFF_CODES.find(cutoff[1]);
  if (code == CUTOFF_CODES.end()) lines.fail("unknown cutoff function '" + cutoff[1] + "'");
  model.cutoff_code = code->second;
  model.cutoff_alpha = lines.number(cutoff[2]);
  if (model.cutoff_alpha < 0.0 || model.cutoff_alpha >= 1.0) lines.fail("alpha must be in [0, 1)");
  for (const auto &symbol : model.elements)
    model.per_element.push_back(read_element(model, lines, symbol));
  return model;
}

}    // namespace mlpot
